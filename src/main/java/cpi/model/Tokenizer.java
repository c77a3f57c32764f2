package cpi.model;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Text to token ids and back. Implemented over a Hugging Face tokenizer.json (DJL tokenizers) and, for
 * llama2.c checkpoints, over their tokenizer.bin. encode() never adds special tokens: callers that
 * want a beginning-of-sequence token prepend {@link #bosId()} themselves, so training and inference
 * frame text the same way.
 */
public interface Tokenizer extends AutoCloseable {

    int[] encode(String text);

    String decode(int[] ids);

    /** Number of ids the tokenizer can produce (must not exceed the model's embedding rows). */
    int vocabSize();

    OptionalInt bosId();

    OptionalInt eosId();

    /** Id used to pad batches (masked out, never scored): pad token, else eos, else 0. */
    int padId();

    /** The tokenizer's own chat template (Jinja source from tokenizer_config.json), if it has one. */
    Optional<String> chatTemplate();

    /** Writes tokenizer.json (and tokenizer_config.json when known) into a checkpoint directory. */
    void saveTo(Path directory);

    /** Whether encode() may be called from several threads at once (bulk encoding then uses all cores). */
    default boolean threadSafe() {
        return false;
    }

    @Override
    default void close() {}
}
