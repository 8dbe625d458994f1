"""The pages: zh-CN, phone-first, for workers and residents."""
