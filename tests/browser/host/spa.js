const view = document.getElementById('view');
const render = () => { view.innerHTML = location.pathname === '/app/settings'
  ? '<p>Settings</p><label>SSO <input data-onboarding="sso"></label>' : '<p>Overview</p>'; };
document.addEventListener('click', e => {
  const a = e.target.closest('#to-settings, #to-home'); if (!a) return;
  e.preventDefault(); history.pushState({}, '', a.getAttribute('href')); render();
});
addEventListener('popstate', render); render();
