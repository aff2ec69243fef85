package dev.hookhub.support;

import io.quarkus.logging.LoggingFilter;
import org.jboss.logmanager.ExtLogRecord;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Escapes line breaks and other control characters in every log message before a handler formats it,
 * so text a caller chose (a decoded request path with %0a, a header, a name) cannot start a forged log
 * line or send terminal escapes. The JSON format escapes on its own; text lines had nothing.
 * Configured for the console and file handlers ({@code quarkus.log.*.filter}); it keeps every record.
 *
 * <p>Messages only: a stack trace is many lines by nature, and an exception's own message is printed
 * by the formatter as the exception holds it.
 */
@LoggingFilter(name = LogLineEscaping.NAME)
public final class LogLineEscaping implements Filter {

    public static final String NAME = "hookhub-log-line-escaping";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            String formatted = ext.getFormattedMessage();
            String escaped = escape(formatted);
            if (escaped != formatted) {
                // The handlers format the record after this filter: the message, already formatted, is
                // set without parameters so they are not substituted (or escaped) a second time.
                ext.setMessage(escaped, ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        }
        return true;
    }

    /** The text with CR, LF and other control characters as visible escapes; the same instance when clean. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !isControl(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    /** C0 and C1 controls but tab, DEL, and the Unicode line and paragraph separators. */
    private static boolean isControl(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
