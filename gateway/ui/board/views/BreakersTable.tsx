import type { CircuitBreaker } from '../api/types';
import { formatTime } from './format';

/** Breakers of one place (the gateway's subgraph fetches, or the workflow role's calls out). */
export function BreakersTable({ title, breakers }: { title: string; breakers: CircuitBreaker[] }) {
  return (
    <table class="compact breakers">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">State</th>
          <th scope="col">Calls</th>
          <th scope="col">Failures</th>
          <th scope="col">Refused</th>
          <th scope="col">Next attempt</th>
        </tr>
      </thead>
      <tbody>
        {breakers.length === 0 && (
          <tr>
            <td colSpan={6} class="empty">
              No breaker yet (one is created at the first call it guards).
            </td>
          </tr>
        )}
        {breakers.map((breaker) => (
          <tr key={breaker.name} data-breaker={breaker.name}>
            <th scope="row">{breaker.name}</th>
            <td>
              <span class={`badge breaker-${breaker.state.toLowerCase()}`}>{breaker.state}</span>
            </td>
            <td>{breaker.fires}</td>
            <td>{breaker.failures}</td>
            <td>{breaker.rejects}</td>
            <td>{formatTime(breaker.nextAttemptAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
