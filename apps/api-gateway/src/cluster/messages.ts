/** A worker asks the primary for the metrics of every worker, summed. */
export const METRICS_MESSAGE = 'helpline:gateway:metrics';

export interface MetricsRequest {
  type: typeof METRICS_MESSAGE;
  id: number;
}

export interface MetricsReply {
  type: typeof METRICS_MESSAGE;
  id: number;
  text?: string;
  error?: string;
}
