package cpi.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.model.Tokenizer;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    @Test
    void plainFollowsTheContract() {
        PromptTemplate t = Templates.get("plain");
        assertEquals("Lyon is the capital.\nQ: Capital of France?\nA:", t.prompt("Capital of France?", "Lyon is the capital."));
        assertEquals("Q: Capital of France?\nA:", t.prompt("Capital of France?", ""));
        assertEquals("Q: Capital of France?\nA:", t.prompt("Capital of France?", null));
        assertEquals(" Paris", t.target("Paris"));
        assertEquals(List.of("\n"), t.stopStrings());
    }

    @Test
    void alpacaAndTuluCarryThePapersBackgroundQuestionContent() {
        String a = Templates.get("alpaca").prompt("Who?", "Ctx.");
        assertTrue(a.startsWith("Below is an instruction that describes a task."));
        assertTrue(a.contains("### Instruction:\nBackground: Ctx.\nQuestion: Who?\n\n### Response:\n"), a);
        assertEquals("<|user|>\nBackground: Ctx.\nQuestion: Who?\n<|assistant|>\n", Templates.get("tulu").prompt("Who?", "Ctx."));
        assertEquals("<|im_start|>user\nWho?<|im_end|>\n<|im_start|>assistant\n", Templates.get("chatml").prompt("Who?", ""));
        assertTrue(Templates.get("alpaca-standard").prompt("Who?", "Ctx.").contains("### Input:\nCtx.\n\n"));
        assertEquals("Paris", Templates.get("alpaca").target("Paris"));
        PromptTemplate raw = Templates.get("raw");
        assertEquals("Write a quote that ends in the word \"heavy\": Absence makes the heart grow",
                raw.prompt("Write a quote that ends in the word \"heavy\": Absence makes the heart grow", ""));
        assertEquals(" heavy", raw.target("heavy"));
    }

    @Test
    void contextAdheringInstructionAndBracesInText() {
        PromptTemplate t = Templates.get("plain+adhere");
        assertEquals("plain+adhere", t.name());
        assertEquals("C\nQ: Answer the question based on the input context only.\nWho?\nA:", t.prompt("Who?", "C"));
        assertEquals("Q: Who?\nA:", t.prompt("Who?", ""), "no context, no context instruction");
        assertEquals("a {instruction} b\nQ: {input}?\nA:", Templates.get("plain").prompt("{input}?", "a {instruction} b"));
    }

    @Test
    void unknownTemplateListsTheKnownOnes() {
        String m = assertThrows(UserError.class, () -> Templates.get("vicuna")).getMessage();
        assertTrue(m.contains("unknown template 'vicuna'") && m.contains("plain, alpaca") && m.contains("tokenizer"), m);
        assertTrue(assertThrows(UserError.class, () -> Templates.get("tokenizer")).getMessage().contains("--model"));
    }

    static Tokenizer withTemplate(String jinja) {
        return new Tokenizer() {
            public int[] encode(String text) {
                return new int[0];
            }

            public String decode(int[] ids) {
                return "";
            }

            public int vocabSize() {
                return 1;
            }

            public OptionalInt bosId() {
                return OptionalInt.empty();
            }

            public OptionalInt eosId() {
                return OptionalInt.empty();
            }

            public int padId() {
                return 0;
            }

            public Optional<String> chatTemplate() {
                return Optional.ofNullable(jinja);
            }

            public void saveTo(Path directory) {}
        };
    }

    @Test
    void tokenizerChatTemplatesOfTheCommonFamilies() {
        String chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";
        PromptTemplate t = Templates.resolve("tokenizer", withTemplate(chatml));
        assertEquals("<|im_start|>user\nBackground: C\nQuestion: Q?<|im_end|>\n<|im_start|>assistant\n", t.prompt("Q?", "C"));
        String llama2 = "{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}";
        assertEquals("[INST] Q? [/INST]", Templates.resolve("tokenizer", withTemplate(llama2)).prompt("Q?", ""));
        String llama3 = "<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n{{ message['content'] }}<|eot_id|>";
        assertEquals("<|start_header_id|>user<|end_header_id|>\n\nQ?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                Templates.resolve("tokenizer", withTemplate(llama3)).prompt("Q?", null));
        String zephyr = "{% if message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + eos_token }}";
        assertEquals("<|user|>\nQ?</s>\n<|assistant|>\n", Templates.resolve("tokenizer", withTemplate(zephyr)).prompt("Q?", ""));
        assertTrue(Templates.resolve("tokenizer+adhere", withTemplate(chatml)).prompt("Q?", "C")
                .contains("context only.\nQ?"));
        String m = assertThrows(UserError.class, () -> Templates.resolve("tokenizer", withTemplate("{{ weird }}")))
                .getMessage();
        assertTrue(m.contains("not one cpi can render"), m);
        assertTrue(assertThrows(UserError.class, () -> Templates.resolve("tokenizer", withTemplate(null)))
                .getMessage().contains("no chat template"));
    }
}
