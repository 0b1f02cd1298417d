package io.jdbcguard.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code jdbc:guard:<rest>} URL taken apart: the real driver's URL {@code jdbc:<rest>} with every
 * {@code guard.*} parameter removed, and those parameters.
 */
public final class GuardUrl {

    /** The prefix the guard accepts. */
    public static final String PREFIX = "jdbc:guard:";

    /** A key that names a secret: its value is never shown. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|pwd|secret|token|credential|apikey|api-key|api_key).*");
    /** {@code key=value} where the value ends at {@code ,}, {@code ;}, {@code )} or whitespace (host lists, properties). */
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|credential|apikey|api-key|api_key)[\\w.-]*\\s*=\\s*)"
                    + "([^&;,)\\s]*)");

    private final String realUrl;
    private final Map<String, String> guardParams;
    private final List<String> problems;

    private GuardUrl(String realUrl, Map<String, String> guardParams, List<String> problems) {
        this.realUrl = realUrl;
        this.guardParams = guardParams;
        this.problems = problems;
    }

    public static boolean accepts(String url) {
        return url != null && url.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** Parses an accepted URL (see {@link #accepts}). */
    public static GuardUrl parse(String url) {
        String rest = "jdbc:" + url.substring(PREFIX.length());
        int q = rest.indexOf('?');
        if (q < 0) {
            return new GuardUrl(rest, Map.of(), List.of());
        }
        Map<String, String> guard = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        StringBuilder kept = new StringBuilder(rest.length());
        kept.append(rest, 0, q);
        int fragment = rest.indexOf('#', q);
        String query = fragment < 0 ? rest.substring(q + 1) : rest.substring(q + 1, fragment);
        char sep = '?';
        for (String part : query.split("&", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String decodedKey = decode(key);
            if (decodedKey.strip().regionMatches(true, 0, "guard.", 0, 6)) {
                String value = decode(eq < 0 ? "" : part.substring(eq + 1));
                if (!key.regionMatches(true, 0, "guard.", 0, 6) || !key.equals(key.strip())) {
                    problems.add("the URL parameter '" + part + "' is an encoded guard setting or has whitespace"
                            + " around its key ('" + decodedKey + "' = '" + value + "'); write the key as "
                            + decodedKey.strip());
                }
                String before = guard.putIfAbsent(decodedKey, value);
                if (before != null && !before.equals(value)) {
                    problems.add(decodedKey + " is given twice in the URL with different values ('" + before
                            + "' and '" + value + "')");
                }
            } else {
                kept.append(sep).append(part);
                sep = '&';
            }
        }
        if (fragment >= 0) {
            kept.append(rest, fragment, rest.length());
        }
        return new GuardUrl(kept.toString(), guard, List.copyOf(problems));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** {@code jdbc:<rest>} without guard parameters: what the real driver sees. */
    public String realUrl() {
        return realUrl;
    }

    /** What is wrong with the URL's guard parameters (a key given twice differently, an encoded key); empty if nothing. */
    public List<String> problems() {
        return problems;
    }

    /** The {@code guard.*} parameters of the URL, decoded, in order. */
    public Map<String, String> guardParams() {
        return guardParams;
    }

    /**
     * Any text that may hold a URL, with passwords and other credentials replaced by {@code ***}: safe
     * for logs and messages. The one masking routine of the guard; it knows
     * <ul>
     *   <li>query parameters ({@code ?password=…&}): the whole value up to the next {@code &}, whatever
     *       characters it holds;</li>
     *   <li>user information ({@code //user:password@host}), up to the last {@code @} of the authority;</li>
     *   <li>Oracle's {@code user/password@host};</li>
     *   <li>MySQL's host lists ({@code (host=h,password=…)}) and properties ({@code password=…;}).</li>
     * </ul>
     */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        String head = q < 0 ? url : url.substring(0, q);
        String query = q < 0 ? null : url.substring(q + 1);
        head = maskUserInfo(head);
        head = SECRET_PAIR.matcher(head).replaceAll("$1***");
        if (query == null) {
            return head;
        }
        StringBuilder out = new StringBuilder(head).append('?');
        String[] parts = query.split("&", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : decode(part.substring(0, eq));
            out.append(i == 0 ? "" : "&");
            if (eq >= 0 && SECRET_KEY.matcher(key).matches()) {
                out.append(part, 0, eq + 1).append("***");
            } else {
                out.append(SECRET_PAIR.matcher(part).replaceAll("$1***"));
            }
        }
        return out.toString();
    }

    /** {@code //user:secret@host} and Oracle's {@code user/secret@host}: the secret replaced. */
    private static String maskUserInfo(String head) {
        int at = head.lastIndexOf('@');
        if (at < 0) {
            return head;
        }
        int slashes = head.indexOf("//");
        if (slashes >= 0 && slashes < at) {
            int colon = head.indexOf(':', slashes + 2);
            return colon >= 0 && colon < at ? head.substring(0, colon + 1) + "***" + head.substring(at) : head;
        }
        // jdbc:oracle:thin:user/secret@host: the segment after the last ':' before the '@'.
        int start = head.lastIndexOf(':', at) + 1;
        int slash = head.indexOf('/', start);
        return slash >= 0 && slash < at ? head.substring(0, slash + 1) + "***" + head.substring(at) : head;
    }
}
