package cpi.eval;

import java.util.List;

/**
 * How an (instruction, input) pair becomes a prompt, and an answer becomes the text the model should
 * produce after it. Shared by evaluation (instruction = question, input = context) and instruction
 * finetuning (the loss covers target(answer) only), so a run trains and evaluates with one format.
 */
public interface PromptTemplate {

    String name();

    /** The prompt; input may be null or blank (then the template's no-input form is used). */
    String prompt(String instruction, String input);

    /** What follows the prompt for this answer, e.g. " Paris" after "A:"; scored and trained on. */
    String target(String answer);

    /** Strings that end a generated answer (e.g. "\n" for plain). */
    List<String> stopStrings();
}
