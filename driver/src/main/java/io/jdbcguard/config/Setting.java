package io.jdbcguard.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * One setting of the guard: its key, type, default, accepted values and one line of documentation.
 *
 * <p>Every setting is declared once, in {@link #ALL}. That list feeds parsing, the stripping of
 * {@code guard.*} keys before the real driver sees them, {@code Driver.getPropertyInfo}, the example
 * {@code jdbc-guard.properties} and the README's table (a test checks both documents against it).
 *
 * @param <T> the parsed type
 */
public final class Setting<T> {

    /** Every key of the guard starts with this. */
    public static final String PREFIX = "guard.";

    public static final Setting<Mode> MODE = ofEnum("guard.mode", Mode.class, Mode.WARN,
            "`strict`: a statement that completes an unsafe pattern is not executed and throws "
                    + "`io.jdbcguard.UnsafePatternException` (SQLState `JG000`); meant for test suites. "
                    + "`off`: pure pass-through.");

    public static final Setting<Set<RuleId>> DISABLE = new Setting<>("guard.disable",
            Collections.unmodifiableSet(EnumSet.noneOf(RuleId.class)), "",
            "rule ids, comma-separated", ruleIdNames(),
            "Rules not run.", Setting::parseRuleIds);

    public static final Setting<Recovery> RECOVERY = ofEnum("guard.recovery", Recovery.class, Recovery.FRESH_READ,
            "After a duplicate key the same transaction's reads see the row that won: on MySQL/MariaDB under "
                    + "REPEATABLE READ its plain reads of that table that can miss the winning row run as shared-lock "
                    + "reads (`stale-read-after-duplicate`); on PostgreSQL at READ COMMITTED an INSERT that completes a "
                    + "check runs inside a savepoint, rolled back to on 23505 (`duplicate-aborts-transaction`); `off` "
                    + "does neither.");

    public static final Setting<Boolean> LOG_VALUES = new Setting<>("guard.log-values", Boolean.FALSE, "false",
            "`true`, `false`", List.of("true", "false"),
            "Show bound values and literals in findings instead of `?`.", Setting::parseBoolean);

    public static final Setting<List<String>> APP_PACKAGES = new Setting<>("guard.app-packages", List.of(), "",
            "package prefixes, comma-separated; `!prefix` excludes", List.of(),
            "Where the application's code lives, to pick call sites.", Setting::parsePackages);

    public static final Setting<Integer> WINDOW_MS = new Setting<>("guard.window-ms", 2000, "2000",
            "integer >= 0", List.of(),
            "How far apart two statements of one thread, in separate transactions, may be and still form one pattern.",
            Setting::parseWindow);

    public static final Setting<String> REPORT = new Setting<>("guard.report", "", "",
            "a directory", List.of(),
            "At JVM shutdown, write `jdbc-guard-report.json` and `jdbc-guard-report.html` (every finding by place)"
                    + " there, and log a summary line; none when empty.", Setting::parseDirectory);

    /** Every setting, in documentation order. */
    public static final List<Setting<?>> ALL = List.of(MODE, DISABLE, RECOVERY, LOG_VALUES, APP_PACKAGES, WINDOW_MS,
            REPORT);

    private final String key;
    private final T defaultValue;
    private final String defaultText;
    private final String acceptedText;
    private final List<String> choices;
    private final String description;
    private final Function<String, T> parser;

    private Setting(String key, T defaultValue, String defaultText, String acceptedText, List<String> choices,
                    String description, Function<String, T> parser) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.acceptedText = acceptedText;
        this.choices = List.copyOf(choices);
        this.description = description;
        this.parser = parser;
    }

    private static <E extends Enum<E>> Setting<E> ofEnum(String key, Class<E> type, E defaultValue, String doc) {
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(enumText(e));
        }
        StringBuilder accepted = new StringBuilder();
        for (String n : names) {
            accepted.append(accepted.length() == 0 ? "" : ", ").append('`').append(n).append('`');
        }
        return new Setting<>(key, defaultValue, enumText(defaultValue), accepted.toString(), names, doc, text -> {
            for (E e : type.getEnumConstants()) {
                if (enumText(e).equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return e;
                }
            }
            throw new IllegalArgumentException("accepted values: " + String.join(", ", names));
        });
    }

    private static String enumText(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The key, e.g. {@code guard.mode}. */
    public String key() {
        return key;
    }

    /** The environment variable that sets it, e.g. {@code GUARD_MODE}. */
    public String envName() {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** The default as a user writes it. */
    public String defaultText() {
        return defaultText;
    }

    /** What values are accepted, for people. */
    public String acceptedText() {
        return acceptedText;
    }

    /** The closed set of accepted values, or empty where the values are open. */
    public List<String> choices() {
        return choices;
    }

    public String description() {
        return description;
    }

    /**
     * Parses a value.
     *
     * @throws IllegalArgumentException with a message saying what is accepted
     */
    public T parse(String text) {
        return parser.apply(text);
    }

    /** The declared setting with this key, or {@code null}. */
    public static Setting<?> byKey(String key) {
        for (Setting<?> s : ALL) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    /** Whether a property key belongs to the guard (and so must never reach the real driver). */
    public static boolean isGuardKey(String key) {
        return key != null && (key.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                || key.strip().regionMatches(true, 0, PREFIX, 0, PREFIX.length()));
    }

    private static List<String> ruleIdNames() {
        List<String> ids = new ArrayList<>();
        for (RuleId r : RuleId.values()) {
            ids.add(r.id());
        }
        return ids;
    }

    private static Set<RuleId> parseRuleIds(String text) {
        EnumSet<RuleId> set = EnumSet.noneOf(RuleId.class);
        for (String part : text.split(",")) {
            String id = part.trim();
            if (id.isEmpty()) {
                continue;
            }
            RuleId rule = RuleId.byId(id.toLowerCase(Locale.ROOT));
            if (rule == null) {
                throw new IllegalArgumentException("unknown rule id '" + id + "'; rule ids: "
                        + String.join(", ", ruleIdNames()));
            }
            set.add(rule);
        }
        return Collections.unmodifiableSet(set);
    }

    private static Boolean parseBoolean(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true")) {
            return Boolean.TRUE;
        }
        if (t.equals("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("accepted values: true, false");
    }

    private static List<String> parsePackages(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches("!?[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*\\.?")) {
                throw new IllegalArgumentException("'" + p + "' is not a Java package prefix such as com.acme.shop,"
                        + " or one to exclude such as !com.acme.infra");
            }
            out.add(p);
        }
        return List.copyOf(out);
    }

    private static String parseDirectory(String text) {
        String t = text.trim();
        if (t.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("accepted: a directory path");
        }
        return t;
    }

    private static Integer parseWindow(String text) {
        // Plain ASCII digits only: Integer.parseInt also takes a sign and the digits of every script.
        String t = text.trim();
        boolean digits = !t.isEmpty() && t.length() <= 9;
        for (int i = 0; digits && i < t.length(); i++) {
            digits = t.charAt(i) >= '0' && t.charAt(i) <= '9';
        }
        if (!digits) {
            throw new IllegalArgumentException("accepted values: an integer >= 0 (milliseconds), in digits 0-9");
        }
        return Integer.parseInt(t);
    }

    @Override
    public String toString() {
        return key;
    }

    /** The valid keys, comma-separated, for error messages. */
    public static String validKeys() {
        StringBuilder sb = new StringBuilder();
        for (Setting<?> s : ALL) {
            sb.append(sb.length() == 0 ? "" : ", ").append(s.key);
        }
        return sb.toString();
    }
}
