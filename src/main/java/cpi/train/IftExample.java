package cpi.train;

/**
 * One instruction-finetuning example, whatever file format it came from.
 *
 * @param id               stable id (file position when the file has none), for provenance and filters
 * @param instruction      the task or question
 * @param input            optional context (may be null or blank)
 * @param output           the response the model is trained to produce
 * @param kind             optional label, e.g. context_critical / non_context_critical / closed_book
 * @param closedBookPrompt optional no-context prompt the base model can answer (no-context-loss filter)
 */
public record IftExample(String id, String instruction, String input, String output, String kind,
                         String closedBookPrompt) {

    public IftExample {
        if (instruction == null) {
            instruction = "";
        }
        if (output == null) {
            throw new IllegalArgumentException("output is required");
        }
    }

    public static IftExample of(String id, String instruction, String input, String output) {
        return new IftExample(id, instruction, input, output, null, null);
    }

    public boolean hasInput() {
        return input != null && !input.isBlank();
    }
}
