/** `cdk synth` / `cdk deploy` run this (cdk.json). Settings come from context: see README.md. */
import { buildApp } from './app.js';

buildApp().app.synth();
