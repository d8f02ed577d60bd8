package dev.winnow.server.registry;

import dev.winnow.protocol.ModelSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The server's Ed25519 model-signing key, kept in {@code {data}/keys/} (private key PKCS#8, owner-only;
 * public key X.509 SubjectPublicKeyInfo). A model's signature covers
 * {@link ModelSignature}: agents rebuild it and verify with the public key.
 */
public final class Signer {

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private Signer(final PrivateKey privateKey, final PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Loads the key pair from {@code keysDir}, creating it on first use. */
    public static Signer open(final Path keysDir) {
        final Path priv = keysDir.resolve("model-signing.ed25519.p8");
        final Path pub = keysDir.resolve("model-signing.ed25519.pub");
        try {
            final KeyFactory kf = KeyFactory.getInstance("Ed25519");
            if (Files.exists(priv) && Files.exists(pub)) {
                return new Signer(kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv))),
                        kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))));
            }
            Files.createDirectories(keysDir);
            final KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Files.write(priv, kp.getPrivate().getEncoded());
            try {
                Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.write(pub, kp.getPublic().getEncoded());
            return new Signer(kp.getPrivate(), kp.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the model-signing key in " + keysDir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available: " + e, e);
        }
    }

    /** What is signed for a model without verifiers ({@link ModelSignature}). */
    public static String message(final String name, final String version, final String onnxSha256,
                                 final String cardSha256) {
        return ModelSignature.message(name, version, onnxSha256, cardSha256);
    }

    /** Base64 Ed25519 signature of {@code message}. */
    public String sign(final String message) {
        try {
            final Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean verify(final String message, final String signatureB64) {
        try {
            final Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey);
            s.update(message.getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(signatureB64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The public key, X.509 DER, Base64. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }
}
