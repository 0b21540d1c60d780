/**
 * Problems with checkable answers: {@link dev.luthier.cookbook.problems.Problem}, loaders for GSM8K and MATH JSON
 * Lines ({@link dev.luthier.cookbook.problems.ProblemFiles}), synthetic arithmetic, and
 * {@link dev.luthier.cookbook.problems.AnswerChecker}s that find an answer in a reply ({@code \boxed{}},
 * {@code ####}, a bare number) and compare it with the reference (LaTeX normalisation, exact numbers).
 */
package dev.luthier.cookbook.problems;
