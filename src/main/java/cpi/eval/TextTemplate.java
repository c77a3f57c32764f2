package cpi.eval;

import java.util.List;

/**
 * A prompt template defined by text with {instruction}, {input} and {answer} slots (templates.json, or a
 * chat template recognised from a tokenizer). contextInstruction, when non-null, is put before the
 * instruction of prompts that have an input (the paper's context-adhering prompt, App. A.4 / Fig. 12).
 */
public record TextTemplate(String name, String promptText, String promptNoInputText, String targetText,
                           List<String> stop, String contextInstruction) implements PromptTemplate {

    public TextTemplate {
        stop = List.copyOf(stop);
    }

    @Override
    public String prompt(String instruction, String input) {
        String ins = instruction == null ? "" : instruction.strip();
        if (input == null || input.isBlank()) {
            return fill(promptNoInputText, ins, "");
        }
        if (contextInstruction != null) {
            ins = contextInstruction + "\n" + ins;
        }
        // One pass over the template, so braces inside a context or question are never expanded.
        return fill(promptText, ins, input.strip());
    }

    @Override
    public String target(String answer) {
        return targetText.replace("{answer}", answer == null ? "" : answer.strip());
    }

    @Override
    public List<String> stopStrings() {
        return stop;
    }

    /** This template with the context-adhering instruction (name gets "+adhere"). */
    public TextTemplate withContextInstruction(String text) {
        return new TextTemplate(name + "+adhere", promptText, promptNoInputText, targetText, stop, text);
    }

    private static String fill(String template, String instruction, String input) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith("{instruction}", i)) {
                b.append(instruction);
                i += "{instruction}".length();
            } else if (template.startsWith("{input}", i)) {
                b.append(input);
                i += "{input}".length();
            } else {
                b.append(template.charAt(i++));
            }
        }
        return b.toString();
    }
}
