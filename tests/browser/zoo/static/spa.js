// A single-page app's router: swaps #view and pushes the URL (no reload).
const view = document.getElementById('view');
const render = () => {
  view.innerHTML = /\/settings$/.test(location.pathname)
    ? '<p>Settings</p><label>SSO <input data-onboarding="sso"></label>' : '<p>Overview</p>';
};
document.addEventListener('click', (event) => {
  const link = event.target.closest('#to-settings, #to-home');
  if (!link) return;
  event.preventDefault();
  history.pushState({}, '', link.getAttribute('href'));
  render();
});
addEventListener('popstate', render);
