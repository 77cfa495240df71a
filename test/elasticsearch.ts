// Placeholder until common/es/managed.ts lands; replaced in the foundation commit.
export async function stopSharedElasticsearch(): Promise<void> {}
