package dev.folio.pageservice.auth;

/**
 * Who is calling, from a verified token: an admin (every tenant) or one tenant. A null tenant
 * means admin.
 */
public record Principal(String subject, String tenant) {
  public static Principal admin(String subject) {
    return new Principal(subject, null);
  }

  public boolean isAdmin() {
    return tenant == null;
  }

  public boolean mayAccess(String requestedTenant) {
    return isAdmin() || tenant.equals(requestedTenant);
  }
}
