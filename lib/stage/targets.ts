/** The four interchangeable backends of the API benchmark, in report order. */
export const TARGETS = ['direct', 'sfn', 'lambda', 'apprunner'] as const;
export type Target = (typeof TARGETS)[number];

export const TARGET_LABELS: Record<Target, string> = {
  direct: 'API Gateway → DynamoDB (VTL)',
  sfn: 'API Gateway → Express Step Functions',
  lambda: 'API Gateway → Lambda',
  apprunner: 'App Runner (Express)',
};

/** Every backend answers GET `${baseUrl}/turkeys/{breed}`. */
export function turkeysUrl(baseUrl: string, breed: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/turkeys/${encodeURIComponent(breed)}`;
}
