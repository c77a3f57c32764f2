package cpi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ValidatorTest {
    static ConflictItem item(String id, String q, String ctx, String cf, String par) {
        return new ConflictItem(id, "t", q, ctx, cf, par, List.of(), null);
    }

    @Test
    void findsEachKindOfProblem() {
        Dataset ds = new Dataset("t", "00", List.of(
                item("ok", "Capital of Bolivia?", "Sucre is now the only capital.", "Sucre",
                        "La Paz (administrative); Sucre (judicial)"),
                item("missing", "Capital of France?", "The government moved.", "Lyon", "Paris"),
                item("equal", "Q?", "It is Rome.", "Rome", "rome"),
                item("dup", "Capital of Bolivia?", "Sucre again.", "Sucre", "La Paz"),
                item("empty", "Q2?", "ctx", "x", " ")));
        Map<ValidationIssue.Kind, List<String>> byKind = DataValidator.validate(ds).stream().collect(
                Collectors.groupingBy(ValidationIssue::kind, Collectors.mapping(ValidationIssue::itemId,
                        Collectors.toList())));
        assertEquals(List.of("ok"), byKind.get(ValidationIssue.Kind.NON_ATOMIC_ANSWER));
        assertEquals(List.of("missing"), byKind.get(ValidationIssue.Kind.COUNTERFACTUAL_NOT_IN_CONTEXT));
        assertEquals(List.of("equal"), byKind.get(ValidationIssue.Kind.ANSWERS_EQUAL));
        assertEquals(List.of("dup"), byKind.get(ValidationIssue.Kind.DUPLICATE));
        assertEquals(List.of("empty"), byKind.get(ValidationIssue.Kind.EMPTY_FIELD));
    }

    @Test
    void answerAlternativesOfTheRealNonAtomicAnswers() {
        assertEquals(List.of("La Paz", "Sucre"), Answers.alternatives("La Paz (administrative); Sucre (judicial)"));
        assertEquals(List.of("Gitega"), Answers.alternatives("Gitega (changed from Bujumbura in December 2018)"));
        assertEquals(List.of("Rangoon", "Yangon", "Naypyidaw", "Nay Pyi Taw"),
                Answers.alternatives("Rangoon (Yangon); Naypyidaw or Nay Pyi Taw (administrative)"));
        assertEquals(List.of("Amsterdam", "The Hague"), Answers.alternatives("Amsterdam; The Hague (seat of government)"));
        assertEquals(List.of("Athens, Greece", "Athens"), Answers.alternatives("Athens, Greece"));
        assertEquals(List.of("2,000 km"), Answers.alternatives("2,000 km"));
        assertEquals(List.of("Paris"), Answers.alternatives("Paris"));
        assertTrue(Answers.isNonAtomic("Colombo; Sri Jayewardenepura Kotte (legislative)"));
        assertEquals("brasilia", Answers.normalize("Brasília"));
        assertEquals("hague", Answers.normalize("The Hague!"));
        assertEquals(-1, Answers.wordPosition(Answers.normalize("The Parisian skyline"), "paris"));
        assertEquals(2, Answers.wordPosition(Answers.normalize("It is Paris, France"), "paris"));
    }
}
