package cpi.world;

/** One (subject, relation, object) triple of the knowledge base. */
public record Fact(String subject, String relation, String object) {}
