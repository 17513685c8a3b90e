import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export interface OpenApiOptions {
  title: string;
  description?: string;
  version?: string;
  /**
   * Rewrites the document each time it is served (the gateway adds the services' documents to
   * its own). The built document is passed in and must not be changed in place.
   */
  patch?: (document: OpenAPIObject, app: INestApplication) => OpenAPIObject | Promise<OpenAPIObject>;
}

/** Swagger UI at /docs, the document at /docs/json. */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): void {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description ?? '')
    .setVersion(options.version ?? '1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const patch = options.patch;
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
    ...(patch
      ? { patchDocumentOnRequest: (_req: unknown, _res: unknown, doc: OpenAPIObject) => patch(doc, app) }
      : {}),
  });
}
