package cpi.util;

/**
 * A problem the user can fix (bad file, bad flag, missing data). The CLI prints its message as one
 * line, without a stack trace, and exits with status 2. Messages name the file/field and the fix.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
