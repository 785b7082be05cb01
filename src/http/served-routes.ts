import type { FastifyInstance } from 'fastify';

/** A route a server answers: its method and URL pattern, as registered (`/api/v1/chats/:reference/accept`). */
export interface ServedRoute {
  readonly method: string;
  readonly url: string;
}

/**
 * Records every route registered on `app` from now on, in plugins too, so a server can say what it
 * serves: the security test's route × role table fails for a route nobody gave a row. HEAD routes
 * fastify adds beside each GET are left out; they run the GET's hooks.
 */
export function recordServedRoutes(app: FastifyInstance): () => readonly ServedRoute[] {
  const routes = new Map<string, ServedRoute>();
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method === 'HEAD') continue;
      routes.set(`${method} ${route.url}`, { method, url: route.url });
    }
  });
  return () => [...routes.values()].sort((left, right) => left.url.localeCompare(right.url) || left.method.localeCompare(right.method));
}
