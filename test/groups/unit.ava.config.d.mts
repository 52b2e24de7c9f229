declare const config: { files: string[]; nodeArguments: string[] } & Record<string, unknown>;
export default config;
