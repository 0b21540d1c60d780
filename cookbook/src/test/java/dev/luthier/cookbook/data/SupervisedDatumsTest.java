package dev.luthier.cookbook.data;

import dev.luthier.api.input.Datum;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.renderers.TrainOn;
import dev.luthier.cookbook.testing.AsciiTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SupervisedDatumsTest {
    private static final AsciiTokenizer TOK = new AsciiTokenizer();
    private static final Conversation CHAT = new Conversation(List.of(Message.user("Hi"), Message.assistant("Yo")), "f:1");

    @Test
    void shiftsTokensIntoInputsAndWeightedTargets() {
        // role_colon: "User:" " Hi\n\n" "Assistant:" " Yo\n\nUser:"; only the last segment is trained
        Datum d = SupervisedDatums.build(CHAT, Renderers.create("role_colon", TOK), TrainOn.LAST_ASSISTANT_MESSAGE, 1000);
        String text = "User: Hi\n\nAssistant: Yo\n\nUser:";
        String trained = " Yo\n\nUser:";
        assertThat(TOK.decode(d.modelInput().tokens())).isEqualTo(text.substring(0, text.length() - 1));
        int[] targets = d.lossFnInputs().get("target_tokens").toInts();
        assertThat(TOK.decode(targets)).isEqualTo(text.substring(1));
        float[] w = d.lossFnInputs().get("weights").toFloats();
        int firstTrained = text.length() - trained.length(); // index in the full text
        for (int i = 0; i < w.length; i++) {
            assertThat(w[i]).as("weight of target %d", i).isEqualTo(i + 1 >= firstTrained ? 1f : 0f);
        }
        assertThat(SupervisedDatums.weightSum(d)).isEqualTo(trained.length());
    }

    @Test
    void truncatesToMaxLengthTokensAfterRendering() {
        Datum d = SupervisedDatums.build(CHAT, Renderers.create("role_colon", TOK), TrainOn.ALL_TOKENS, 6);
        assertThat(TOK.decode(d.modelInput().tokens())).isEqualTo("User:");
        assertThat(TOK.decode(d.lossFnInputs().get("target_tokens").toInts())).isEqualTo("ser: ");
    }

    @Test
    void aConversationTheRendererRefusesIsNamed() {
        Conversation noAssistant = new Conversation(List.of(Message.user("Hi")), "data.jsonl:7");
        assertThatThrownBy(() -> SupervisedDatums.build(noAssistant, Renderers.create("role_colon", TOK),
                TrainOn.LAST_ASSISTANT_MESSAGE, 100)).hasMessageStartingWith("data.jsonl:7: ");
        assertThatThrownBy(() -> SupervisedDatums.build(CHAT, Renderers.create("role_colon", TOK), TrainOn.ALL_TOKENS, 1))
                .hasMessageContaining("at least 2");
    }
}
