package dev.luthier.cookbook.preferences;

import dev.luthier.cookbook.renderers.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Anthropic HH-RLHF's transcript format: {@code "\n\nHuman: ...\n\nAssistant: ..."}, turns introduced by a blank
 * line and the speaker. Human turns become {@code user} messages, Assistant turns {@code assistant} messages.
 */
public final class HhRlhfTranscript {
    private static final Pattern TURN = Pattern.compile("\n\n(Human|Assistant):");

    private HhRlhfTranscript() {
    }

    /** The messages of a transcript; text before the first turn marker is an error. */
    public static List<Message> parse(String transcript) {
        Matcher m = TURN.matcher(transcript);
        List<Message> out = new ArrayList<>();
        String role = null;
        int bodyStart = 0;
        while (m.find()) {
            if (role == null) {
                if (!transcript.substring(0, m.start()).isBlank()) {
                    throw new IllegalArgumentException("text before the first \"\\n\\nHuman:\" turn: \""
                            + abbreviate(transcript.substring(0, m.start())) + "\"");
                }
            } else {
                out.add(new Message(role, transcript.substring(bodyStart, m.start()).strip()));
            }
            role = m.group(1).equals("Human") ? "user" : "assistant";
            bodyStart = m.end();
        }
        if (role == null) {
            throw new IllegalArgumentException("no \"\\n\\nHuman:\" or \"\\n\\nAssistant:\" turn in \"" + abbreviate(transcript) + "\"");
        }
        out.add(new Message(role, transcript.substring(bodyStart).strip()));
        return out;
    }

    /**
     * A comparison from its two full transcripts: the messages they share before their final assistant turns are
     * the prompt; those final turns are the chosen and rejected replies.
     */
    public static PreferencePair pair(String chosenTranscript, String rejectedTranscript) {
        List<Message> chosen = parse(chosenTranscript);
        List<Message> rejected = parse(rejectedTranscript);
        Message chosenReply = chosen.getLast();
        Message rejectedReply = rejected.getLast();
        if (!chosenReply.role().equals("assistant") || !rejectedReply.role().equals("assistant")) {
            throw new IllegalArgumentException("both transcripts must end with an Assistant turn (chosen ends with "
                    + chosenReply.role() + ", rejected with " + rejectedReply.role() + ")");
        }
        List<Message> prompt = chosen.subList(0, chosen.size() - 1);
        List<Message> rejectedPrompt = rejected.subList(0, rejected.size() - 1);
        if (!prompt.equals(rejectedPrompt)) {
            int i = 0;
            while (i < Math.min(prompt.size(), rejectedPrompt.size()) && prompt.get(i).equals(rejectedPrompt.get(i))) {
                i++;
            }
            throw new IllegalArgumentException("chosen and rejected differ before their final Assistant turns (at turn "
                    + (i + 1) + "); they must share the conversation up to the last reply");
        }
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("the transcripts have no turn before the final Assistant reply");
        }
        return new PreferencePair(prompt, chosenReply, rejectedReply);
    }

    static String abbreviate(String s) {
        String flat = s.replace("\n", "\\n");
        return flat.length() <= 60 ? flat : flat.substring(0, 57) + "...";
    }
}
