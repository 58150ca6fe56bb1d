// The operations pages, one lazily loaded chunk: one chunk compresses far better than six, and an
// operator who opens one of them usually opens the others.
export { ChannelsPage } from "./alerting/ChannelsPage";
export { HistoryPage } from "./alerting/HistoryPage";
export { RulesPage } from "./alerting/RulesPage";
export { SilencesPage } from "./alerting/SilencesPage";
export { EventsPage } from "./events/EventsPage";
export { SourcesPage } from "./sources/SourcesPage";
