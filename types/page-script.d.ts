// The events page's script, bundled from shared/page/browser/ when the page's files are built or
// tested (scripts/lib/page-script.mts).
declare module 'virtual:page-script' {
  export const PAGE_SCRIPT: string;
}
