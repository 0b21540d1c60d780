/** Wire types and codecs of the Tinker protocol (see shared/protocol/tinker-wire.md). */
package dev.luthier.api;
