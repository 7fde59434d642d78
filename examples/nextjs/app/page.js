export default function Home() {
  return <p>drf-sso-jwt with Next.js: GET /edge/me (middleware, Edge runtime) or /api/node/me (Node runtime) with `Authorization: JWT …`.</p>;
}
