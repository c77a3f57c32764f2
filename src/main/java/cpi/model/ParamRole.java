package cpi.model;

/**
 * What a named parameter does, whatever the family's file layout. QK-only training selects
 * {@link #QUERY} and {@link #KEY}; LoRA targets are chosen by role (q, k, v, o, up, down, gate).
 */
public enum ParamRole {
    EMBEDDING, POSITION, QUERY, KEY, VALUE, OUTPUT, MLP_UP, MLP_GATE, MLP_DOWN, NORM, LM_HEAD;

    /** Short LoRA/PEFT-style module name: q, k, v, o, up, gate, down; null for non-linear roles. */
    public String moduleName() {
        return switch (this) {
            case QUERY -> "q";
            case KEY -> "k";
            case VALUE -> "v";
            case OUTPUT -> "o";
            case MLP_UP -> "up";
            case MLP_GATE -> "gate";
            case MLP_DOWN -> "down";
            default -> null;
        };
    }
}
