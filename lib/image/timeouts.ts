/** How long each part of a refresh may take, and how often it is looked at. */

/** Nodepool's IMAGE_TIMEOUT: how long a snapshot may take to become active. */
export const IMAGE_TIMEOUT_SECONDS = 6 * 3600;

/**
 * Nodepool's CONNECT_TIMEOUT: how long after ACTIVE the template server may refuse logins
 * (cloud-init may still be installing the keys).
 */
export const CONNECT_TIMEOUT_MS = 10 * 60_000;

/**
 * How long the setup script may run. Nodepool set no limit; a day-long setup script is a
 * broken one, and this bounds how long a template whose script died unseen (its server
 * rebooted) is waited for.
 */
export const SETUP_TIMEOUT_MS = 3 * 3600_000;

/** Logging in, copying script-dir and starting the setup script. */
export const SETUP_LEASE_MS = 5 * 60_000;

/** The longest a running setup script goes unlooked at. */
export const SETUP_POLL_MAX_MS = 30_000;

/** Boot and snapshot calls: a lease long enough for a slow cloud to answer. */
export const CALL_LEASE_MS = 2 * 60_000;

/** Nodepool waited 600 s for a deleted server to disappear. */
export const DELETE_WAIT_MS = 10 * 60_000;

/** Nodepool polled every 2 s while it waited for a server or an image. */
export const POLL_MS = 2000;

/** After DELETE_WAIT_MS a delete is still retried, but seldom. */
export const SLOW_POLL_MS = 60_000;
