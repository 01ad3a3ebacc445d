// Moved to the private workspace package @latchkey/test-support; this re-export goes once every test imports it by name.
export * from '@latchkey/test-support'
