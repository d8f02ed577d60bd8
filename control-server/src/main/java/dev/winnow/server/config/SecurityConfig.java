package dev.winnow.server.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Authentication and TLS settings of the control server (part of {@link ServerConfig}).
 *
 * @param mqttAuth                the embedded broker demands enrolled credentials and enforces topic ACLs
 * @param mqttUsername            nullable: the ingest's user name on an external broker
 * @param mqttPassword            nullable: the ingest's password on an external broker
 * @param mqttCa                  nullable: PEM file of the CA that signed an external broker's certificate ({@code ssl://})
 * @param mqttTlsPort             the embedded broker's TLS listener port; -1 none, 0 any free
 * @param mqttTlsKeystore         nullable: PKCS#12 (or JKS) key store with the embedded broker's key and certificate
 * @param mqttTlsKeystorePassword nullable: its password (also the key's)
 * @param httpTlsKeystore         nullable: PKCS#12 key store; when set the web server speaks HTTPS on {@code http.port}
 * @param httpTlsKeystorePassword nullable: its password
 */
public record SecurityConfig(boolean mqttAuth, String mqttUsername, String mqttPassword, Path mqttCa,
                             int mqttTlsPort, Path mqttTlsKeystore, String mqttTlsKeystorePassword,
                             Path httpTlsKeystore, String httpTlsKeystorePassword) {

    public SecurityConfig {
        if (mqttTlsPort < -1 || mqttTlsPort > 65_535) {
            throw new ConfigException("mqtt.tls.port", mqttTlsPort + " is out of range [-1, 65535]");
        }
        requireFile("mqtt.tls.keystore", mqttTlsKeystore);
        requireFile("http.tls.keystore", httpTlsKeystore);
        requireFile("mqtt.ca", mqttCa);
    }

    private static void requireFile(final String key, final Path p) {
        if (p != null && !Files.isRegularFile(p)) {
            throw new ConfigException(key, "no such file: " + p);
        }
    }

    /** No authentication, no TLS: tests and the Java API's defaults. */
    public static SecurityConfig none() {
        return new SecurityConfig(false, null, null, null, -1, null, null, null, null);
    }

    /** What {@code winnow-server serve} starts from: device authentication on, no TLS. */
    public static SecurityConfig production() {
        return none().withMqttAuth(true);
    }

    public SecurityConfig withMqttAuth(final boolean v) {
        return new SecurityConfig(v, mqttUsername, mqttPassword, mqttCa, mqttTlsPort, mqttTlsKeystore,
                mqttTlsKeystorePassword, httpTlsKeystore, httpTlsKeystorePassword);
    }

    public SecurityConfig withMqttCredentials(final String user, final String password) {
        return new SecurityConfig(mqttAuth, user, password, mqttCa, mqttTlsPort, mqttTlsKeystore,
                mqttTlsKeystorePassword, httpTlsKeystore, httpTlsKeystorePassword);
    }

    public SecurityConfig withMqttCa(final Path v) {
        return new SecurityConfig(mqttAuth, mqttUsername, mqttPassword, v, mqttTlsPort, mqttTlsKeystore,
                mqttTlsKeystorePassword, httpTlsKeystore, httpTlsKeystorePassword);
    }

    public SecurityConfig withMqttTls(final int port, final Path keystore, final String password) {
        return new SecurityConfig(mqttAuth, mqttUsername, mqttPassword, mqttCa, port, keystore, password,
                httpTlsKeystore, httpTlsKeystorePassword);
    }

    public SecurityConfig withHttpTls(final Path keystore, final String password) {
        return new SecurityConfig(mqttAuth, mqttUsername, mqttPassword, mqttCa, mqttTlsPort, mqttTlsKeystore,
                mqttTlsKeystorePassword, keystore, password);
    }

    @Override
    public String toString() {
        return "SecurityConfig[auth=" + mqttAuth + ", mqttUser=" + mqttUsername + ", mqttTlsPort=" + mqttTlsPort
                + ", https=" + (httpTlsKeystore != null) + "]";
    }
}
