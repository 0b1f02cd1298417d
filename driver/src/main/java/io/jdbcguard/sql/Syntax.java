package io.jdbcguard.sql;

/**
 * How a database reads the characters of a statement: which quotes delimit strings and which names,
 * whether a backslash escapes, which comments exist. A dialect names the syntax of each connection
 * (MySQL/MariaDB's depends on the session's {@code sql_mode}); the lexer and its caches are keyed by it.
 */
public enum Syntax {
    /** MySQL/MariaDB by default: {@code "…"} is a string, {@code \} escapes, {@code #} starts a comment. */
    MYSQL(true, false, false),
    /** MySQL/MariaDB with {@code NO_BACKSLASH_ESCAPES}: a backslash is an ordinary character in strings. */
    MYSQL_NO_BACKSLASH_ESCAPES(false, false, false),
    /** MySQL/MariaDB with {@code ANSI_QUOTES} (also part of {@code ANSI}): {@code "…"} is a name. */
    MYSQL_ANSI_QUOTES(true, true, false),
    /** MySQL/MariaDB with both modes. */
    MYSQL_ANSI_QUOTES_NO_BACKSLASH_ESCAPES(false, true, false),
    /**
     * PostgreSQL (with {@code standard_conforming_strings}, the default since 9.1): {@code "…"} is a name,
     * {@code '…'} has no escapes but {@code E'…'} does, {@code $tag$…$tag$} is a string, block comments nest,
     * {@code --} needs no space after it, {@code #} is an operator and {@code ??} (pgJDBC's escape for the
     * {@code ?} operator) is no parameter.
     */
    POSTGRESQL(false, true, true);

    final boolean backslashEscapes;
    final boolean doubleQuotedNames;
    final boolean postgres;

    Syntax(boolean backslashEscapes, boolean doubleQuotedNames, boolean postgres) {
        this.backslashEscapes = backslashEscapes;
        this.doubleQuotedNames = doubleQuotedNames;
        this.postgres = postgres;
    }

    /** The MySQL/MariaDB syntax of a session with these modes. */
    public static Syntax mysql(boolean noBackslashEscapes, boolean ansiQuotes) {
        return ansiQuotes ? (noBackslashEscapes ? MYSQL_ANSI_QUOTES_NO_BACKSLASH_ESCAPES : MYSQL_ANSI_QUOTES)
                : (noBackslashEscapes ? MYSQL_NO_BACKSLASH_ESCAPES : MYSQL);
    }
}
