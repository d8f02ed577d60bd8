package dev.winnow.server.auth;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's gatekeeper, as a HiveMQ embedded extension: an authenticator that checks
 * user name and password against the {@link DeviceRegistry}, and authorizers that apply
 * {@link TopicAcl} to every publish (including the will) and subscription. A refused publish gets a
 * PUBACK {@code NOT_AUTHORIZED} (MQTT 5) and is dropped; nothing reaches the ingest. Refusals are
 * counted and logged once a minute per user.
 */
public final class BrokerAuth {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerAuth.class);
    private static final String ATTR = "winnow.principal";

    private final DeviceRegistry registry;
    private final AuthCounters counters = new AuthCounters();
    private final Map<String, Principal> byClient = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLog = new ConcurrentHashMap<>();

    public BrokerAuth(final DeviceRegistry registry) {
        this.registry = registry;
    }

    public AuthCounters counters() {
        return counters;
    }

    public DeviceRegistry registry() {
        return registry;
    }

    /** The extension to pass to the embedded broker. */
    public EmbeddedExtension extension() {
        return EmbeddedExtension.builder()
                .withId("winnow-auth")
                .withName("Winnow device authentication and topic ACLs")
                .withVersion("1")
                .withAuthor("Winnow")
                .withPriority(1000)
                .withStartPriority(1000)
                .withExtensionMain(new Main())
                .build();
    }

    private final class Main implements ExtensionMain {
        @Override
        public void extensionStart(final ExtensionStartInput in, final ExtensionStartOutput out) {
            final SimpleAuthenticator authenticator = BrokerAuth.this::onConnect;
            final Gate gate = new Gate();
            Services.securityRegistry().setAuthenticatorProvider(i -> authenticator);
            Services.securityRegistry().setAuthorizerProvider(i -> gate);
        }

        @Override
        public void extensionStop(final ExtensionStopInput in, final ExtensionStopOutput out) {
        }
    }

    /** One authorizer for both: HiveMQ keeps one authorizer provider per extension. */
    private final class Gate implements PublishAuthorizer, SubscriptionAuthorizer {
        @Override
        public void authorizePublish(final PublishAuthorizerInput i, final PublishAuthorizerOutput o) {
            onPublish(i, o);
        }

        @Override
        public void authorizeSubscribe(final SubscriptionAuthorizerInput i, final SubscriptionAuthorizerOutput o) {
            onSubscribe(i, o);
        }
    }

    private void onConnect(final SimpleAuthInput input, final SimpleAuthOutput output) {
        final Optional<String> user = input.getConnectPacket().getUserName();
        final Optional<ByteBuffer> pass = input.getConnectPacket().getPassword();
        final String clientId = input.getClientInformation().getClientId();
        Optional<Principal> p = Optional.empty();
        if (user.isPresent() && pass.isPresent()) {
            final ByteBuffer b = pass.get().duplicate();
            final byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            try {
                p = registry.authenticate(user.get(), bytes);
            } catch (RuntimeException e) {
                LOG.warn("cannot check credentials of {}: {}", user.get(), e.getMessage());
                counters.connectRefused();
                output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "credential store unavailable");
                return;
            }
        }
        if (p.isEmpty()) {
            counters.connectRefused();
            logOnce("connect/" + user.orElse(""), "refused connection of client '" + clientId + "' (user '"
                    + user.orElse("<none>") + "'): bad user name or password");
            output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
            return;
        }
        counters.accepted();
        byClient.put(clientId, p.get());
        input.getConnectionInformation().getConnectionAttributeStore().putAsString(ATTR, p.get().username());
        output.authenticateSuccessfully();
    }

    private Principal principal(final String clientId) {
        return byClient.get(clientId);
    }

    private void onPublish(final PublishAuthorizerInput input, final PublishAuthorizerOutput output) {
        final String clientId = input.getClientInformation().getClientId();
        final Principal p = principal(clientId);
        final String topic = input.getPublishPacket().getTopic();
        if (p != null && TopicAcl.canPublish(p, topic)) {
            output.authorizeSuccessfully();
            return;
        }
        counters.publishRefused();
        logOnce("publish/" + (p == null ? clientId : p.username()), "refused publish by '"
                + (p == null ? clientId : p.username()) + "' on '" + abbreviate(topic) + "': not its topic");
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not authorised to publish on this topic");
    }

    private void onSubscribe(final SubscriptionAuthorizerInput input, final SubscriptionAuthorizerOutput output) {
        final String clientId = input.getClientInformation().getClientId();
        final Principal p = principal(clientId);
        final String filter = input.getSubscription().getTopicFilter();
        if (p != null && TopicAcl.canSubscribe(p, filter)) {
            output.authorizeSuccessfully();
            return;
        }
        counters.subscriptionRefused();
        logOnce("subscribe/" + (p == null ? clientId : p.username()), "refused subscription by '"
                + (p == null ? clientId : p.username()) + "' to '" + abbreviate(filter) + "'");
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not authorised to subscribe to this filter");
    }

    private void logOnce(final String key, final String message) {
        final long now = System.currentTimeMillis();
        final Long last = lastLog.get(key);
        if (last == null || now - last > 60_000) {
            if (lastLog.size() > 10_000) {
                lastLog.clear();
            }
            lastLog.put(key, now);
            LOG.warn("{} (further refusals of this kind are counted, logged at most once a minute)", message);
        }
    }

    private static String abbreviate(final String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
