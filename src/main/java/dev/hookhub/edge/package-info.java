/**
 * What every HTTP exchange passes through around the surfaces, at the Vert.x level so that no route (a
 * resource, a static file, a management endpoint, a request no route serves) can get past it: the
 * metrics label of unmatched requests, the origin of {@code Location} headers, the console's address.
 */
package dev.hookhub.edge;
