package dev.winnow.edge.link;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for {@code ssl://} broker URLs: trusts the CA certificate(s) in the PEM file named by
 * {@code WINNOW_MQTT_CA}, else {@code {stateDir}/ca.pem}, else the JVM's default trust store.
 */
public final class LinkTls {

    public static final String ENV_CA = "WINNOW_MQTT_CA";

    private LinkTls() {
    }

    public static SSLSocketFactory socketFactory(final Path stateDir) {
        final String env = System.getenv(ENV_CA);
        Path ca = env != null && !env.isBlank() ? Path.of(env) : null;
        if (ca == null && stateDir != null && Files.isRegularFile(stateDir.resolve("ca.pem"))) {
            ca = stateDir.resolve("ca.pem");
        }
        return ca == null ? (SSLSocketFactory) SSLSocketFactory.getDefault() : trusting(ca);
    }

    /** A socket factory that trusts exactly the certificates in a PEM file. */
    public static SSLSocketFactory trusting(final Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            final KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (final Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            final SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the broker CA " + pem + ": " + e.getMessage(), e);
        }
    }
}
