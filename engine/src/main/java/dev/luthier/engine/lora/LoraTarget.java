package dev.luthier.engine.lora;

/** The projections a LoRA adapter can train, with their PEFT module names. */
public enum LoraTarget {
    Q_PROJ("q_proj", "self_attn"),
    K_PROJ("k_proj", "self_attn"),
    V_PROJ("v_proj", "self_attn"),
    O_PROJ("o_proj", "self_attn"),
    GATE_PROJ("gate_proj", "mlp"),
    UP_PROJ("up_proj", "mlp"),
    DOWN_PROJ("down_proj", "mlp"),
    LM_HEAD("lm_head", null);

    private final String moduleName;
    private final String block;

    LoraTarget(String moduleName, String block) {
        this.moduleName = moduleName;
        this.block = block;
    }

    /** PEFT's module name, e.g. {@code q_proj}. */
    public String moduleName() {
        return moduleName;
    }

    /** The submodule of a decoder layer that holds this projection ({@code self_attn} or {@code mlp}). */
    public String block() {
        return block;
    }

    public boolean isAttention() {
        return "self_attn".equals(block);
    }

    public boolean isMlp() {
        return "mlp".equals(block);
    }

    public static LoraTarget fromModuleName(String name) {
        for (LoraTarget t : values()) {
            if (t.moduleName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown LoRA target module \"" + name
                + "\" (known: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head)");
    }
}
