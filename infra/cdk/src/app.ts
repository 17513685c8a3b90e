/** The CDK app: the stack, and cdk-nag's AwsSolutions checks on it (a finding fails synthesis). */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HelplineStack, type HelplineStackProps } from './stack.js';

export const STACK_NAME = 'Helpline';

export interface HelplineApp {
  app: App;
  stack: HelplineStack;
}

export function buildApp(props: AppProps = {}, stackProps: HelplineStackProps = {}): HelplineApp {
  const app = new App(props);
  const stack = new HelplineStack(app, STACK_NAME, stackProps);
  // Acknowledgments are written into the template's metadata too, where a test reads every reason.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, stack };
}
