package dev.reprise.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrySecurityTest {

  @Test
  void shouldSendBasicAuthFromUserInfoOrFromTheUrlAndABearerToken() {
    assertThat(RegistrySecurity.from(Map.of("basic.auth.user.info", "alice:pw")).authorization(URI.create("https://r/")))
        .contains("Basic YWxpY2U6cHc=");
    assertThat(RegistrySecurity.from(Map.of("basic.auth.credentials.source", "URL"))
        .authorization(URI.create("https://alice:pw@r/"))).contains("Basic YWxpY2U6cHc=");
    assertThat(RegistrySecurity.from(Map.of("bearer.auth.credentials.source", "STATIC_TOKEN", "bearer.auth.token", "t0k"))
        .authorization(URI.create("https://r/"))).contains("Bearer t0k");
    assertThat(RegistrySecurity.from(Map.of("bootstrap.servers", "x:9092")).authorization(URI.create("https://r/")))
        .as("Kafka's settings are not the registry's").isEmpty();
  }

  @Test
  void shouldNameEverySettingThatCannotWork() {
    assertThatThrownBy(() -> RegistrySecurity.from(Map.of(
        "basic.auth.credentials.source", "SASL_INHERIT",
        "bearer.auth.credentials.source", "OAUTHBEARER",
        "schema.registry.ssl.truststore.location", "/nonexistent/truststore.p12")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("basic.auth.credentials.source 'SASL_INHERIT' is not supported")
        .hasMessageContaining("bearer.auth.credentials.source 'OAUTHBEARER' is not supported")
        .hasMessageContaining("schema.registry.ssl.truststore.location /nonexistent/truststore.p12 (PKCS12): cannot be read");
    assertThatThrownBy(() -> RegistrySecurity.from(Map.of("basic.auth.user.info", "no-colon")))
        .hasMessageContaining("basic.auth.user.info must be user:password");
  }

  @Test
  void shouldNeverShowTheCredentials() {
    assertThat(RegistrySecurity.from(Map.of("basic.auth.user.info", "alice:pw")).toString())
        .isEqualTo("RegistrySecurity[basic auth]").doesNotContain("pw");
  }
}
