package io.jdbcguard.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code jdbc:guard:<rest>} URL taken apart: the real driver's URL {@code jdbc:<rest>} with every
 * {@code guard.*} parameter removed, and those parameters.
 */
public final class GuardUrl {

    /** The prefix the guard accepts. */
    public static final String PREFIX = "jdbc:guard:";

    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|credential)[\\w.-]*\\s*=)([^&;,)\\s]*)");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@?]*:)([^@/?]*)@");

    private final String realUrl;
    private final Map<String, String> guardParams;

    private GuardUrl(String realUrl, Map<String, String> guardParams) {
        this.realUrl = realUrl;
        this.guardParams = guardParams;
    }

    public static boolean accepts(String url) {
        return url != null && url.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** Parses an accepted URL (see {@link #accepts}). */
    public static GuardUrl parse(String url) {
        String rest = "jdbc:" + url.substring(PREFIX.length());
        int q = rest.indexOf('?');
        if (q < 0) {
            return new GuardUrl(rest, Map.of());
        }
        Map<String, String> guard = new LinkedHashMap<>();
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
            if (key.regionMatches(true, 0, "guard.", 0, 6)) {
                String value = eq < 0 ? "" : part.substring(eq + 1);
                guard.put(decode(key), decode(value));
            } else {
                kept.append(sep).append(part);
                sep = '&';
            }
        }
        if (fragment >= 0) {
            kept.append(rest, fragment, rest.length());
        }
        return new GuardUrl(kept.toString(), guard);
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

    /** The {@code guard.*} parameters of the URL, decoded, in order. */
    public Map<String, String> guardParams() {
        return guardParams;
    }

    /** The URL with passwords and other credentials replaced by {@code ***}: safe for logs and messages. */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        String masked = USER_INFO.matcher(url).replaceAll("$1***@");
        return SECRET_PARAM.matcher(masked).replaceAll("$1***");
    }
}
