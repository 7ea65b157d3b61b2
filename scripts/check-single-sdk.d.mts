export declare const SDKS: string[];
export declare function sdkVersions(lockText: string): Record<string, string[]>;
export declare function duplicateSdks(lockText: string): string[];
