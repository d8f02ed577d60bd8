package dev.winnow.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes in Mosquitto's {@code $7$} format: PBKDF2-HMAC-SHA512, 12-byte salt, 64-byte hash,
 * {@code $7$<iterations>$<base64 salt>$<base64 hash>}. The same string is stored in the database and
 * written to Mosquitto's password file, so both brokers check the same secret.
 *
 * <p>Device secrets are 256 random bits, so the iteration count protects little and costs every
 * connect; 20,000 (about 10 ms here) is a compromise that still makes a leaked table expensive to
 * test against guesses of a human-chosen password.
 */
public final class PasswordHash {

    public static final int ITERATIONS = 20_000;
    private static final int SALT_BYTES = 12;
    private static final int HASH_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    /** A new random secret: 32 bytes, base64url without padding (43 characters). */
    public static String newSecret() {
        final byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String hash(final String password) {
        return hash(password, ITERATIONS);
    }

    public static String hash(final String password, final int iterations) {
        final byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return "$7$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(pbkdf2(password, salt, iterations));
    }

    /** True when {@code password} matches {@code encoded}; false for anything malformed. Constant time. */
    public static boolean verify(final String password, final String encoded) {
        if (password == null || encoded == null) {
            return false;
        }
        final String[] p = encoded.split("\\$", -1);
        if (p.length != 5 || !p[0].isEmpty() || !"7".equals(p[1])) {
            return false;
        }
        try {
            final int iterations = Integer.parseInt(p[2]);
            if (iterations < 1 || iterations > 10_000_000) {
                return false;
            }
            final byte[] salt = Base64.getDecoder().decode(p[3]);
            final byte[] expected = Base64.getDecoder().decode(p[4]);
            return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] pbkdf2(final String password, final byte[] salt, final int iterations) {
        // JCE's PBEKeySpec takes chars; PBKDF2WithHmacSHA512 encodes them as UTF-8, like Mosquitto's bytes.
        final PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is not available", e);
        } finally {
            spec.clearPassword();
        }
    }

    static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
