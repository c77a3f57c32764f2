package cpi.mitigate;

import cpi.eval.PromptTemplate;
import java.util.List;

/**
 * The contract's "plain" format ("{input}\nQ: {instruction}\nA:", no-input "Q: {instruction}\nA:",
 * target " " + answer), used when no template is given; the same text as cpi.eval.Templates.get("plain").
 */
final class PlainTemplate implements PromptTemplate {
    static final PlainTemplate INSTANCE = new PlainTemplate();

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public String prompt(String instruction, String input) {
        return input == null || input.isBlank() ? "Q: " + instruction + "\nA:" : input + "\nQ: " + instruction + "\nA:";
    }

    @Override
    public String target(String answer) {
        return " " + answer;
    }

    @Override
    public List<String> stopStrings() {
        return List.of("\n");
    }
}
