package dev.folio.pageservice.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Bearer tokens: JWTs signed with HMAC-SHA256 (nimbus-jose-jwt). Claims, as Neon's: {@code scope}
 * is {@code tenant} (with {@code tenant_id}) or {@code admin}; {@code exp} is honoured when
 * present. The secret is shared by whoever issues tokens (the gateway, {@code folio} commands).
 */
public final class JwtAuthenticator {
  public static final String SCOPE_TENANT = "tenant";
  public static final String SCOPE_ADMIN = "admin";

  /** A token that is not accepted, and why. */
  public static final class Rejected extends Exception {
    Rejected(String message) {
      super(message);
    }
  }

  private record Verified(Principal principal, Instant expires) {}

  private final byte[] secret;
  /** Tokens already verified: a compute sends the same token with every page it asks for. */
  private final Cache<String, Verified> verified = Caffeine.newBuilder().maximumSize(10_000)
      .expireAfterWrite(Duration.ofMinutes(5)).build();

  public JwtAuthenticator(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new IllegalArgumentException("the JWT secret must be at least 32 bytes (HMAC-SHA256)");
    }
    this.secret = bytes;
  }

  public Principal verify(String token) throws Rejected {
    Verified known = verified.getIfPresent(token);
    if (known != null && (known.expires() == null || known.expires().isAfter(Instant.now()))) {
      return known.principal();
    }
    Verified fresh = verifyNow(token);
    verified.put(token, fresh);
    return fresh.principal();
  }

  private Verified verifyNow(String token) throws Rejected {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
        throw new Rejected("the token is signed with " + jwt.getHeader().getAlgorithm() + ", not HS256");
      }
      if (!jwt.verify(new MACVerifier(secret))) {
        throw new Rejected("the token's signature does not verify");
      }
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new Rejected("the token is not a JWT: " + e.getMessage());
    } catch (JOSEException e) {
      throw new Rejected("the token cannot be verified: " + e.getMessage());
    }
    Date expires = claims.getExpirationTime();
    if (expires != null && expires.toInstant().isBefore(Instant.now())) {
      throw new Rejected("the token expired at " + expires.toInstant());
    }
    String scope;
    String tenant;
    try {
      scope = claims.getStringClaim("scope");
      tenant = claims.getStringClaim("tenant_id");
    } catch (ParseException e) {
      throw new Rejected("the token's claims are malformed: " + e.getMessage());
    }
    String subject = claims.getSubject() == null ? "anonymous" : claims.getSubject();
    Instant until = expires == null ? null : expires.toInstant();
    if (SCOPE_ADMIN.equals(scope)) {
      return new Verified(Principal.admin(subject), until);
    }
    if (SCOPE_TENANT.equals(scope) && tenant != null && !tenant.isEmpty()) {
      return new Verified(new Principal(subject, tenant), until);
    }
    throw new Rejected("the token has neither scope \"admin\" nor scope \"tenant\" with a tenant_id");
  }

  /** A token for one tenant ({@code tenant} non-null) or for an admin. */
  public String issue(String subject, String tenant, Duration ttl) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
        .expirationTime(Date.from(Instant.now().plus(ttl)));
    if (tenant == null) {
      claims.claim("scope", SCOPE_ADMIN);
    } else {
      claims.claim("scope", SCOPE_TENANT).claim("tenant_id", tenant);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return jwt.serialize();
  }
}
