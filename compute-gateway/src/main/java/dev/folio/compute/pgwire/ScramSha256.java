package dev.folio.compute.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it: no channel
 * binding, the user name taken from the startup packet. Hand-written with the JDK's crypto: the
 * SCRAM libraries that Java clients use (pgjdbc's) implement the client side only.
 */
final class ScramSha256 {
  static final String MECHANISM = "SCRAM-SHA-256";
  private static final int ITERATIONS = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] salt = new byte[16];
  private final byte[] storedKey;
  private final byte[] serverKey;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;

  ScramSha256(String password) {
    RANDOM.nextBytes(salt);
    byte[] salted = pbkdf2(password, salt);
    byte[] clientKey = hmac(salted, "Client Key");
    this.storedKey = sha256(clientKey);
    this.serverKey = hmac(salted, "Server Key");
  }

  /** Whether the client's first message has come. */
  boolean started() {
    return serverFirst != null;
  }

  /** The client's first message (from SASLInitialResponse); returns the server's first message. */
  byte[] first(String clientFirst) {
    // "n": no channel binding; "y": the client could bind but sees the server cannot, which is true
    // (SCRAM-SHA-256-PLUS is not offered), so no downgrade is hidden. "p=…" asks for binding.
    if (!clientFirst.startsWith("n,") && !clientFirst.startsWith("y,")) {
      throw new PgException(SqlState.PROTOCOL_VIOLATION, "SCRAM channel binding is not supported", null, true);
    }
    clientFirstBare = clientFirst.substring(clientFirst.indexOf(',', 2) + 1);
    String clientNonce = attribute(clientFirstBare, 'r');
    byte[] mine = new byte[18];
    RANDOM.nextBytes(mine);
    nonce = clientNonce + Base64.getEncoder().encodeToString(mine);
    serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" + ITERATIONS;
    return serverFirst.getBytes(StandardCharsets.UTF_8);
  }

  /** The client's final message; returns the server's final message, or throws 28P01. */
  byte[] last(String clientFinal) {
    int proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0 || !nonce.equals(attribute(clientFinal, 'r'))) {
      throw invalid();
    }
    String withoutProof = clientFinal.substring(0, proofAt);
    byte[] proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] signature = hmac(storedKey, authMessage);
    byte[] clientKey = new byte[proof.length];
    for (int i = 0; i < proof.length; i++) {
      clientKey[i] = (byte) (proof[i] ^ signature[i % signature.length]);
    }
    if (!MessageDigest.isEqual(sha256(clientKey), storedKey)) {
      throw invalid();
    }
    return ("v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage))).getBytes(StandardCharsets.UTF_8);
  }

  private static PgException invalid() {
    return new PgException(SqlState.INVALID_PASSWORD, "password authentication failed", null, true);
  }

  private static String attribute(String message, char name) {
    for (String part : message.split(",")) {
      if (part.length() > 2 && part.charAt(0) == name && part.charAt(1) == '=') {
        return part.substring(2);
      }
    }
    throw new PgException(SqlState.PROTOCOL_VIOLATION, "malformed SCRAM message: no " + name + "=", null, true);
  }

  private static byte[] pbkdf2(String password, byte[] salt) {
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, 256)).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
