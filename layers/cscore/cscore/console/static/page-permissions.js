import { pageHeader } from "./ui.js";
import { t } from "./i18n.js";

export async function render(main) {
  main.append(pageHeader(t("nav.permissions")));
}
