/** The migrated embedded-database template test servers start from (kept beside the database code, which src tests use too). */
export { openTemplateDatabase, seedEmbeddedDatabase } from '../src/db/testing/template-database.js';
