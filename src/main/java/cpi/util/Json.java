package cpi.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One shared Jackson mapper and helpers that turn parse failures into one-line {@link UserError}s. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Reads a whole JSON file; a missing or malformed file becomes a UserError naming the file and line. */
    public static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new UserError(file + ": malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage()
                    + " (fix the file or regenerate it)");
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new UserError(file + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses one JSONL line; errors name the file and 1-based line number. */
    public static JsonNode parseLine(String line, Path file, long lineNumber) {
        try {
            return MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new UserError(file + ":" + lineNumber + ": malformed JSON: " + e.getOriginalMessage()
                    + " (each line must be one JSON object)");
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes pretty JSON atomically (temp file, then rename): a crash never leaves half a file. */
    public static void writeFile(Path file, Object value) {
        AtomicFiles.writeString(file, writePretty(value) + "\n");
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        return MAPPER.convertValue(node, type);
    }

    public static boolean exists(Path file) {
        return Files.isRegularFile(file);
    }
}
