/** The fan-out scenarios, as data. `--interval`, `--iterations` and `--tasks` override them. */
export interface FanoutScenario {
  name: 'fanout' | 'fanout-quick';
  description: string;
  tasks: number;
  iterations: number;
  intervalMs: number;
}

export const FANOUT_SCENARIOS: Record<FanoutScenario['name'], FanoutScenario> = {
  fanout: {
    name: 'fanout',
    description: 'a mutation every 5 s for 1 hour (720) to 20 tasks, as in the article',
    tasks: 20,
    iterations: 720,
    intervalMs: 5000,
  },
  'fanout-quick': {
    name: 'fanout-quick',
    description: '100 mutations 100 ms apart to 20 tasks (well under a minute locally)',
    tasks: 20,
    iterations: 100,
    intervalMs: 100,
  },
};
