package cpi.eval;

import cpi.util.UserError;
import java.util.List;

/**
 * A tokenizer's chat template (Jinja source) turned into a {@link TextTemplate} for a single user turn.
 * cpi has no Jinja engine; it recognises the common families by their markers (ChatML, Llama-3 headers,
 * Llama-2/Mistral [INST], Gemma turns, Zephyr/TULU &lt;|user|&gt;) and refuses anything else with a clear
 * error. The begin-of-sequence token is not written here: the model prepends it.
 */
final class ChatTemplates {
    private static final String MSG = "Background: {input}\nQuestion: {instruction}";
    private static final String MSG_NO_INPUT = "{instruction}";

    private ChatTemplates() {}

    static TextTemplate fromJinja(String jinja) {
        if (jinja.contains("<|im_start|>")) {
            return turn("tokenizer:chatml", "<|im_start|>user\n", "<|im_end|>\n<|im_start|>assistant\n",
                    List.of("<|im_end|>", "<|endoftext|>"));
        }
        if (jinja.contains("<|start_header_id|>")) {
            return turn("tokenizer:llama3", "<|start_header_id|>user<|end_header_id|>\n\n",
                    "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", List.of("<|eot_id|>"));
        }
        if (jinja.contains("[INST]")) {
            return new TextTemplate("tokenizer:inst", "[INST] " + MSG + " [/INST]", "[INST] " + MSG_NO_INPUT
                    + " [/INST]", " {answer}", List.of("</s>", "[INST]"), null);
        }
        if (jinja.contains("<start_of_turn>")) {
            return turn("tokenizer:gemma", "<start_of_turn>user\n", "<end_of_turn>\n<start_of_turn>model\n",
                    List.of("<end_of_turn>"));
        }
        if (jinja.contains("<|user|>")) {
            // Zephyr closes each turn with the eos token; TULU with a newline only.
            String close = jinja.contains("eos_token") ? "</s>\n" : "\n";
            return turn("tokenizer:user-assistant", "<|user|>\n", close + "<|assistant|>\n",
                    List.of("</s>", "<|user|>", "<|endoftext|>"));
        }
        throw new UserError("the tokenizer's chat template is not one cpi can render without Jinja (it knows "
                + "ChatML, Llama-3, [INST], Gemma and <|user|> templates); use --template plain|alpaca|tulu|chatml");
    }

    private static TextTemplate turn(String name, String open, String close, List<String> stop) {
        return new TextTemplate(name, open + MSG + close, open + MSG_NO_INPUT + close, "{answer}", stop, null);
    }
}
