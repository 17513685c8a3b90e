/**
 * Alarms and one dashboard: the edge's 5xx rate, p99 latency and 429 rate, the backlog of
 * order-service's outbox, the NestJS gateway losing its Redis, and each service's and database's
 * vital signs. Log groups (with
 * retention) belong to what writes them: each service, the API's access log, the triggers.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { HelplineConfig } from './config.js';
import type { ApiGatewayEdge, NestGatewayEdge } from './edge.js';
import { GATEWAY_REDIS_FAILING, GATEWAY_THROTTLED, OUTBOX_RETRY } from './log-patterns.js';
import type { AppService } from './services.js';

export const METRIC_NAMESPACE = 'Helpline';

/** The thresholds the alarms fire at. */
export const THRESHOLDS = {
  /** Share of requests answered 5xx, over 5 minutes. */
  serverErrorRate: 0.01,
  /** p99 latency at the edge, ms. */
  p99LatencyMs: 2_000,
  /** Share of requests refused 429 (usage plans, throttles), over 5 minutes. */
  throttledRate: 0.05,
  /** Failed attempts of order-service's outbox tasks in 5 minutes, three periods running. */
  outboxRetries: 10,
};

export interface ObservabilityProps {
  config: HelplineConfig;
  edge:
    | { kind: 'apigateway'; construct: ApiGatewayEdge }
    | { kind: 'nestjs'; construct: NestGatewayEdge; gateway: AppService };
  services: ReadonlyMap<string, AppService>;
  /** The service with the outbox (its log carries the failed attempts). */
  outboxService?: AppService;
}

export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'helpline alarms', enforceSSL: true });
    if (props.config.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.config.alarmEmail));
    }

    let requests: cloudwatch.IMetric;
    let serverErrors: cloudwatch.IMetric;
    let latencyP99: cloudwatch.IMetric;
    let throttledLog: logs.ILogGroup;
    let throttledPattern: logs.IFilterPattern;
    if (props.edge.kind === 'apigateway') {
      const { api, accessLogs } = props.edge.construct;
      requests = api.metricCount({ period, statistic: 'Sum' });
      serverErrors = api.metricServerError({ period, statistic: 'Sum' });
      latencyP99 = api.metricLatency({ period, statistic: 'p99' });
      throttledLog = accessLogs;
      throttledPattern = logs.FilterPattern.stringValue('$.status', '=', '429');
    } else {
      const lb = props.edge.construct.loadBalancer.metrics;
      requests = lb.requestCount({ period, statistic: 'Sum' });
      serverErrors = new cloudwatch.MathExpression({
        expression: 'FILL(target, 0) + FILL(elb, 0)',
        usingMetrics: {
          target: lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' }),
          elb: lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period, statistic: 'Sum' }),
        },
        period,
      });
      latencyP99 = lb.targetResponseTime({ period, statistic: 'p99' });
      throttledLog = props.edge.gateway.logGroup;
      throttledPattern = logs.FilterPattern.literal(GATEWAY_THROTTLED);
    }
    const throttled = new logs.MetricFilter(this, 'Throttled', {
      logGroup: throttledLog,
      filterPattern: throttledPattern,
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'EdgeThrottled',
      metricValue: '1',
      defaultValue: 0,
    }).metric({ period, statistic: 'Sum' });

    const rate = (label: string, id: string, numerator: cloudwatch.IMetric) =>
      new cloudwatch.MathExpression({
        expression: `IF(requests > 0, FILL(${id}, 0) / requests, 0)`,
        usingMetrics: { [id]: numerator, requests },
        label,
        period,
      });
    const serverErrorRate = rate('5xx rate', 'errors', serverErrors);
    const throttledRate = rate('429 rate', 'throttled', throttled);

    this.addAlarm(
      'ServerErrorRate',
      serverErrorRate,
      THRESHOLDS.serverErrorRate,
      'More than 1% of requests answered 5xx',
    );
    this.addAlarm('LatencyP99', latencyP99, THRESHOLDS.p99LatencyMs, 'p99 latency at the edge above 2 s', {
      seconds: props.edge.kind === 'nestjs',
    });
    this.addAlarm(
      'ThrottledRate',
      throttledRate,
      THRESHOLDS.throttledRate,
      'More than 5% of requests refused 429',
    );

    if (props.edge.kind === 'nestjs') {
      // An outage of the gateway's Redis begins: the tasks' budgets are no longer shared. One
      // line per outage, so the alarm fires once, at its start (a 5-minute period above zero).
      const redisFailing = new logs.MetricFilter(this, 'GatewayRedisFailures', {
        logGroup: props.edge.gateway.logGroup,
        filterPattern: logs.FilterPattern.literal(GATEWAY_REDIS_FAILING),
        metricNamespace: METRIC_NAMESPACE,
        metricName: 'GatewayRedisFailing',
        metricValue: '1',
        defaultValue: 0,
      }).metric({ period, statistic: 'Sum' });
      this.addAlarm(
        'GatewayRedisFailing',
        redisFailing,
        0,
        'The gateway lost its Redis: each task enforces the usage plans alone until it is back',
        { evaluationPeriods: 1 },
      );
    }

    let outbox: cloudwatch.IMetric | undefined;
    if (props.outboxService) {
      // order-service logs each failed attempt of an outbox task ("release for order … failed (…);
      // attempt n, next in … ms"); failures that keep coming mean the backlog is not draining.
      outbox = new logs.MetricFilter(this, 'OutboxRetries', {
        logGroup: props.outboxService.logGroup,
        filterPattern: logs.FilterPattern.literal(OUTBOX_RETRY),
        metricNamespace: METRIC_NAMESPACE,
        metricName: 'OutboxRetries',
        metricValue: '1',
        defaultValue: 0,
      }).metric({ period, statistic: 'Sum' });
      this.addAlarm(
        'OutboxBacklog',
        outbox,
        THRESHOLDS.outboxRetries,
        'order-service outbox tasks keep failing',
        {
          evaluationPeriods: 3,
        },
      );
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `helpline-${Stack.of(this).stackName}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Requests at the edge', left: [requests], width: 8 }),
      new cloudwatch.GraphWidget({
        title: '5xx and 429 rates',
        left: [serverErrorRate, throttledRate],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'p99 latency', left: [latencyP99], width: 8 }),
    );
    const services = [...props.services.values()];
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Service CPU %',
        left: services.map((s) => s.service.metricCpuUtilization({ period, label: s.deployable.name })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Service memory %',
        left: services.map((s) => s.service.metricMemoryUtilization({ period, label: s.deployable.name })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Database connections',
        left: services.flatMap((s) =>
          s.database ? [s.database.metricDatabaseConnections({ period, label: s.deployable.name })] : [],
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Database CPU %',
        left: services.flatMap((s) =>
          s.database ? [s.database.metricCPUUtilization({ period, label: s.deployable.name })] : [],
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Outbox failed attempts',
        left: outbox ? [outbox] : [],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }

  private addAlarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    options: { evaluationPeriods?: number; seconds?: boolean } = {},
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      // ALB reports seconds, API Gateway milliseconds.
      threshold: options.seconds ? threshold / 1000 : threshold,
      evaluationPeriods: options.evaluationPeriods ?? 2,
      datapointsToAlarm: options.evaluationPeriods ?? 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
