package org.imprint.io;

/**
 * Bad input from the user: a missing, unreadable or corrupt file, a wrong shape or dtype, an unwritable
 * folder, an invalid option value. The CLI reports it as one line with exit code 2; anything else that
 * escapes a command is an internal error (exit code 1).
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
