package cpi.train;

/** Which weights train: all of them, LoRA adapters on chosen projections, or only query and key weights. */
public enum TrainMode {
    FULL, LORA, QK;

    public static TrainMode parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "full" -> FULL;
            case "lora" -> LORA;
            case "qk" -> QK;
            default -> throw new cpi.util.UserError("--train: unknown mode '" + s + "' (expected full, lora or qk)");
        };
    }
}
